package org.qoraedge.gateway.mqtt;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;

/** Every socket the MQTT links open has Nagle's algorithm off, plain and TLS, connected or not. */
class MqttSocketsTest {
    @Test
    void plainAndTlsSocketsHaveTcpNoDelay() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            InetAddress lo = InetAddress.getLoopbackAddress();
            try (Socket a = MqttSockets.plain(1 << 20).createSocket();
                    Socket b = MqttSockets.plain(1 << 20).createSocket(lo, server.getLocalPort());
                    Socket c = MqttSockets.tls(SSLContext.getDefault().getSocketFactory(), 1 << 20).createSocket();
                    Socket d = MqttSockets.tls(SSLContext.getDefault().getSocketFactory(), 1 << 20).createSocket(lo, server.getLocalPort())) {
                assertTrue(a.getTcpNoDelay());
                assertTrue(b.getTcpNoDelay());
                assertTrue(c.getTcpNoDelay());
                assertTrue(d.getTcpNoDelay());
            }
        }
    }
}
