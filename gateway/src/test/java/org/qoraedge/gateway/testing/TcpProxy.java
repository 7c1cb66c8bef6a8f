package org.qoraedge.gateway.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A fault-injecting TCP proxy on 127.0.0.1 for connection-loss tests: forwards to a target port;
 * {@link #cut()} closes every open connection and refuses new ones (the listening socket is
 * closed) until {@link #restore()}; {@link #delay(long)} holds every forwarded chunk back;
 * {@link #halfClose(boolean)} shuts one direction of every open connection (a FIN to one side
 * while the other direction stays open); {@link #holdTowardClient(boolean)} stops forwarding what
 * the target sends, on every connection, without closing anything (a receiver that hears nothing).
 */
public final class TcpProxy implements AutoCloseable {
    private final int port;
    private final int targetPort;
    private final List<Socket> open = new CopyOnWriteArrayList<>();
    private final List<Socket[]> pairs = new CopyOnWriteArrayList<>();
    private volatile long delayMillis;
    private volatile boolean holdTowardClient;
    private volatile ServerSocket server;
    private volatile boolean closed;

    public TcpProxy(int targetPort) throws IOException {
        this.targetPort = targetPort;
        this.port = MosquittoBroker.freePort();
        restore();
    }

    /** A proxy whose port refuses connections until {@link #restore()}. */
    public static TcpProxy startCut(int targetPort) throws IOException {
        TcpProxy p = new TcpProxy(targetPort);
        p.cut();
        return p;
    }

    public int port() {
        return port;
    }

    public String uri() {
        return "tcp://127.0.0.1:" + port;
    }

    /** Drops every connection and stops listening. */
    public synchronized void cut() throws IOException {
        ServerSocket s = server;
        server = null;
        if (s != null) {
            s.close();
        }
        for (Socket c : open) {
            c.close();
        }
        open.clear();
        pairs.clear();
    }

    /** Holds every chunk forwarded from now on (both directions) back by {@code millis}; 0 ends the delay. */
    public void delay(long millis) {
        delayMillis = Math.max(0, millis);
    }

    /**
     * While {@code hold}, nothing the target sends is forwarded to the client, on open and new
     * connections: the proxy stops reading it (it waits in the socket buffers) and closes nothing.
     * The client's bytes still reach the target.
     */
    public void holdTowardClient(boolean hold) {
        holdTowardClient = hold;
    }

    /**
     * Half-closes every open connection: {@code towardBroker} sends a FIN to the target (the client's
     * further bytes are dropped), otherwise to the client (the target's further bytes are dropped).
     * The other direction keeps flowing until one of the ends closes.
     *
     * @return the connections half-closed
     */
    public synchronized int halfClose(boolean towardBroker) {
        int n = 0;
        for (Socket[] p : pairs) {
            Socket s = towardBroker ? p[1] : p[0];
            try {
                if (!s.isClosed() && !s.isOutputShutdown()) {
                    s.shutdownOutput();
                    n++;
                }
            } catch (IOException e) {
                // already gone
            }
        }
        return n;
    }

    /** Listens again. */
    public synchronized void restore() throws IOException {
        if (server != null) {
            return;
        }
        ServerSocket s = new ServerSocket();
        s.setReuseAddress(true);
        s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        server = s;
        Thread t = new Thread(() -> accept(s), "tcp-proxy-accept-" + port);
        t.setDaemon(true);
        t.start();
    }

    private void accept(ServerSocket s) {
        while (!closed && !s.isClosed()) {
            try {
                Socket client = s.accept();
                Socket upstream;
                try {
                    upstream = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                } catch (IOException targetDown) {
                    client.close(); // the target refuses: so does the proxy, rather than leave the client hanging
                    continue;
                }
                client.setTcpNoDelay(true);
                upstream.setTcpNoDelay(true);
                open.add(client);
                open.add(upstream);
                pairs.add(new Socket[] {client, upstream});
                pump(client, upstream, false);
                pump(upstream, client, true);
            } catch (IOException e) {
                // listening socket closed by cut() or close()
            }
        }
    }

    private void pump(Socket from, Socket to, boolean towardClient) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[64 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while (true) {
                    while (towardClient && holdTowardClient && !from.isClosed()) {
                        Thread.sleep(10);
                    }
                    if ((n = in.read(buf)) < 0) {
                        break;
                    }
                    long d = delayMillis;
                    if (d > 0) {
                        Thread.sleep(d);
                    }
                    if (to.isOutputShutdown()) {
                        continue; // half-closed: this direction is gone, the other one may still flow
                    }
                    out.write(buf, 0, n);
                    out.flush();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (IOException e) {
                // connection cut
            } finally {
                pairs.removeIf(p -> p[0] == from || p[1] == from);
                try {
                    from.close();
                    to.close();
                } catch (IOException ignored) {
                    // already closed
                }
            }
        }, "tcp-proxy-pump-" + port);
        t.setDaemon(true);
        t.start();
    }

    @Override
    public void close() throws IOException {
        closed = true;
        cut();
    }
}
