package org.qoraedge.gateway.mqtt;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.BooleanSupplier;
import javax.net.SocketFactory;
import javax.net.ssl.HandshakeCompletedListener;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * The socket factories of every MQTT link. Each socket
 * <ul>
 *   <li>has Nagle's algorithm off (TCP_NODELAY): a frame larger than one segment otherwise waits
 *       for the receiver's delayed ACK (about 40 ms on Linux) before its last segment leaves, and
 *       a publisher that waits for each PUBACK pays that on every update;</li>
 *   <li>reads through an {@link InboundGuard}, so that no packet the broker sends can kill Paho's
 *       receiver thread (an oversized PUBLISH, a topic Paho cannot decode).</li>
 * </ul>
 * Paho accepts any {@link SocketFactory} for {@code tcp://} and requires an {@link SSLSocketFactory}
 * (whose sockets it casts to {@link SSLSocket}) for {@code ssl://}, hence a guarded plain socket
 * and a delegating TLS socket. Paho calls only {@code createSocket()} and then {@code connect};
 * the other factory methods are guarded the same way.
 */
final class MqttSockets {
    private MqttSockets() {
    }

    /** @param maxPublishBytes the guard's limit on a received PUBLISH's remaining length */
    static SocketFactory plain(long maxPublishBytes) {
        return plain(maxPublishBytes, new InboundActivity());
    }

    /** @param activity stamped at every read from the socket that returns bytes */
    static SocketFactory plain(long maxPublishBytes, InboundActivity activity) {
        return new Plain(maxPublishBytes, activity);
    }

    static SSLSocketFactory tls(SSLSocketFactory delegate, long maxPublishBytes) {
        return tls(delegate, maxPublishBytes, new InboundActivity());
    }

    static SSLSocketFactory tls(SSLSocketFactory delegate, long maxPublishBytes, InboundActivity activity) {
        return new Tls(delegate, maxPublishBytes, activity);
    }

    /** The limit on a received PUBLISH of a factory made here; -1 for any other factory (tests). */
    static long maxPublishBytes(SocketFactory factory) {
        if (factory instanceof Plain p) {
            return p.max;
        }
        if (factory instanceof Tls t) {
            return t.max;
        }
        return -1;
    }

    /**
     * A new connection's stream as Paho reads it: stamped by {@code activity}, through the guard, in
     * {@code activity}'s receive window (emptied: what the old connection had outstanding is gone).
     */
    private static InputStream guard(InputStream socketStream, long maxPublishBytes, InboundActivity activity, BooleanSupplier closed) {
        activity.reset();
        return new InboundGuard(activity.stamp(socketStream), maxPublishBytes, activity, closed);
    }

    private static final class GuardedSocket extends Socket {
        private final long maxPublishBytes;
        private final InboundActivity activity;
        private InputStream guarded;

        GuardedSocket(long maxPublishBytes, InboundActivity activity) throws SocketException {
            this.maxPublishBytes = maxPublishBytes;
            this.activity = activity;
            setTcpNoDelay(true);
        }

        @Override
        public synchronized InputStream getInputStream() throws IOException {
            if (guarded == null) {
                guarded = guard(super.getInputStream(), maxPublishBytes, activity, this::isClosed);
            }
            return guarded;
        }
    }

    private static final class Plain extends SocketFactory {
        private final long max;

        private final InboundActivity activity;

        Plain(long max, InboundActivity activity) {
            this.max = max;
            this.activity = activity;
        }

        @Override
        public Socket createSocket() throws IOException {
            return new GuardedSocket(max, activity);
        }

        @Override
        public Socket createSocket(String host, int port) throws IOException {
            Socket s = createSocket();
            s.connect(new InetSocketAddress(host, port));
            return s;
        }

        @Override
        public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
            Socket s = createSocket();
            s.bind(new InetSocketAddress(localHost, localPort));
            s.connect(new InetSocketAddress(host, port));
            return s;
        }

        @Override
        public Socket createSocket(InetAddress host, int port) throws IOException {
            Socket s = createSocket();
            s.connect(new InetSocketAddress(host, port));
            return s;
        }

        @Override
        public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort) throws IOException {
            Socket s = createSocket();
            s.bind(new InetSocketAddress(localAddress, localPort));
            s.connect(new InetSocketAddress(address, port));
            return s;
        }
    }

    private static final class Tls extends SSLSocketFactory {
        private final SSLSocketFactory d;
        private final long max;

        private final InboundActivity activity;

        Tls(SSLSocketFactory d, long max, InboundActivity activity) {
            this.d = d;
            this.max = max;
            this.activity = activity;
        }

        private Socket wrap(Socket s) throws IOException {
            s.setTcpNoDelay(true);
            return new GuardedTlsSocket((SSLSocket) s, max, activity);
        }

        @Override
        public String[] getDefaultCipherSuites() {
            return d.getDefaultCipherSuites();
        }

        @Override
        public String[] getSupportedCipherSuites() {
            return d.getSupportedCipherSuites();
        }

        @Override
        public Socket createSocket() throws IOException {
            return wrap(d.createSocket());
        }

        @Override
        public Socket createSocket(Socket s, String host, int port, boolean autoClose) throws IOException {
            return wrap(d.createSocket(s, host, port, autoClose));
        }

        @Override
        public Socket createSocket(String host, int port) throws IOException {
            return wrap(d.createSocket(host, port));
        }

        @Override
        public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
            return wrap(d.createSocket(host, port, localHost, localPort));
        }

        @Override
        public Socket createSocket(InetAddress host, int port) throws IOException {
            return wrap(d.createSocket(host, port));
        }

        @Override
        public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort) throws IOException {
            return wrap(d.createSocket(address, port, localAddress, localPort));
        }
    }

    /** A TLS socket that reads the decrypted stream through the guard; everything else delegates. */
    private static final class GuardedTlsSocket extends SSLSocket {
        private final SSLSocket d;
        private final long maxPublishBytes;
        private final InboundActivity activity;
        private InputStream guarded;

        GuardedTlsSocket(SSLSocket d, long maxPublishBytes, InboundActivity activity) {
            this.d = d;
            this.maxPublishBytes = maxPublishBytes;
            this.activity = activity;
        }

        @Override
        public synchronized InputStream getInputStream() throws IOException {
            if (guarded == null) {
                guarded = guard(d.getInputStream(), maxPublishBytes, activity, d::isClosed);
            }
            return guarded;
        }

        @Override
        public OutputStream getOutputStream() throws IOException {
            return d.getOutputStream();
        }

        @Override
        public void connect(SocketAddress endpoint) throws IOException {
            d.connect(endpoint);
        }

        @Override
        public void connect(SocketAddress endpoint, int timeout) throws IOException {
            d.connect(endpoint, timeout);
        }

        @Override
        public void bind(SocketAddress bindpoint) throws IOException {
            d.bind(bindpoint);
        }

        @Override
        public InetAddress getInetAddress() {
            return d.getInetAddress();
        }

        @Override
        public InetAddress getLocalAddress() {
            return d.getLocalAddress();
        }

        @Override
        public int getPort() {
            return d.getPort();
        }

        @Override
        public int getLocalPort() {
            return d.getLocalPort();
        }

        @Override
        public SocketAddress getRemoteSocketAddress() {
            return d.getRemoteSocketAddress();
        }

        @Override
        public SocketAddress getLocalSocketAddress() {
            return d.getLocalSocketAddress();
        }

        @Override
        public SocketChannel getChannel() {
            return d.getChannel();
        }

        @Override
        public void setTcpNoDelay(boolean on) throws SocketException {
            d.setTcpNoDelay(on);
        }

        @Override
        public boolean getTcpNoDelay() throws SocketException {
            return d.getTcpNoDelay();
        }

        @Override
        public void setSoLinger(boolean on, int linger) throws SocketException {
            d.setSoLinger(on, linger);
        }

        @Override
        public int getSoLinger() throws SocketException {
            return d.getSoLinger();
        }

        @Override
        public void setSoTimeout(int timeout) throws SocketException {
            d.setSoTimeout(timeout);
        }

        @Override
        public int getSoTimeout() throws SocketException {
            return d.getSoTimeout();
        }

        @Override
        public void setSendBufferSize(int size) throws SocketException {
            d.setSendBufferSize(size);
        }

        @Override
        public int getSendBufferSize() throws SocketException {
            return d.getSendBufferSize();
        }

        @Override
        public void setReceiveBufferSize(int size) throws SocketException {
            d.setReceiveBufferSize(size);
        }

        @Override
        public int getReceiveBufferSize() throws SocketException {
            return d.getReceiveBufferSize();
        }

        @Override
        public void setKeepAlive(boolean on) throws SocketException {
            d.setKeepAlive(on);
        }

        @Override
        public boolean getKeepAlive() throws SocketException {
            return d.getKeepAlive();
        }

        @Override
        public void close() throws IOException {
            d.close();
        }

        @Override
        public void shutdownInput() throws IOException {
            d.shutdownInput();
        }

        @Override
        public void shutdownOutput() throws IOException {
            d.shutdownOutput();
        }

        @Override
        public boolean isConnected() {
            return d.isConnected();
        }

        @Override
        public boolean isBound() {
            return d.isBound();
        }

        @Override
        public boolean isClosed() {
            return d.isClosed();
        }

        @Override
        public boolean isInputShutdown() {
            return d.isInputShutdown();
        }

        @Override
        public boolean isOutputShutdown() {
            return d.isOutputShutdown();
        }

        @Override
        public String toString() {
            return "guarded " + d;
        }

        @Override
        public String[] getSupportedCipherSuites() {
            return d.getSupportedCipherSuites();
        }

        @Override
        public String[] getEnabledCipherSuites() {
            return d.getEnabledCipherSuites();
        }

        @Override
        public void setEnabledCipherSuites(String[] suites) {
            d.setEnabledCipherSuites(suites);
        }

        @Override
        public String[] getSupportedProtocols() {
            return d.getSupportedProtocols();
        }

        @Override
        public String[] getEnabledProtocols() {
            return d.getEnabledProtocols();
        }

        @Override
        public void setEnabledProtocols(String[] protocols) {
            d.setEnabledProtocols(protocols);
        }

        @Override
        public SSLSession getSession() {
            return d.getSession();
        }

        @Override
        public SSLSession getHandshakeSession() {
            return d.getHandshakeSession();
        }

        @Override
        public void addHandshakeCompletedListener(HandshakeCompletedListener listener) {
            d.addHandshakeCompletedListener(listener);
        }

        @Override
        public void removeHandshakeCompletedListener(HandshakeCompletedListener listener) {
            d.removeHandshakeCompletedListener(listener);
        }

        @Override
        public void startHandshake() throws IOException {
            d.startHandshake();
        }

        @Override
        public void setUseClientMode(boolean mode) {
            d.setUseClientMode(mode);
        }

        @Override
        public boolean getUseClientMode() {
            return d.getUseClientMode();
        }

        @Override
        public void setNeedClientAuth(boolean need) {
            d.setNeedClientAuth(need);
        }

        @Override
        public boolean getNeedClientAuth() {
            return d.getNeedClientAuth();
        }

        @Override
        public void setWantClientAuth(boolean want) {
            d.setWantClientAuth(want);
        }

        @Override
        public boolean getWantClientAuth() {
            return d.getWantClientAuth();
        }

        @Override
        public void setEnableSessionCreation(boolean flag) {
            d.setEnableSessionCreation(flag);
        }

        @Override
        public boolean getEnableSessionCreation() {
            return d.getEnableSessionCreation();
        }

        @Override
        public SSLParameters getSSLParameters() {
            return d.getSSLParameters();
        }

        @Override
        public void setSSLParameters(SSLParameters params) {
            d.setSSLParameters(params);
        }

        @Override
        public String getApplicationProtocol() {
            return d.getApplicationProtocol();
        }

        @Override
        public String getHandshakeApplicationProtocol() {
            return d.getHandshakeApplicationProtocol();
        }

        @Override
        public void setHandshakeApplicationProtocolSelector(BiFunction<SSLSocket, List<String>, String> selector) {
            d.setHandshakeApplicationProtocolSelector(selector);
        }

        @Override
        public BiFunction<SSLSocket, List<String>, String> getHandshakeApplicationProtocolSelector() {
            return d.getHandshakeApplicationProtocolSelector();
        }
    }
}
