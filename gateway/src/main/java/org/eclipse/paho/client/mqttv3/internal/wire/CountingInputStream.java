/*******************************************************************************
 * Copyright (c) 2009, 2014 IBM Corp.
 *
 * All rights reserved. This program and the accompanying materials
 * are made available under the terms of the Eclipse Public License v2.0
 * and Eclipse Distribution License v1.0 which accompany this distribution.
 *
 * The Eclipse Public License is available at
 *    https://www.eclipse.org/legal/epl-2.0
 * and the Eclipse Distribution License is available at
 *   https://www.eclipse.org/org/documents/edl-v10.php
 *
 * Contributors:
 *    Dave Locke - initial API and implementation and/or initial documentation
 *    Qora Edge - read(byte[], int, int) reads in bulk (see the class comment)
 */
package org.eclipse.paho.client.mqttv3.internal.wire;

import java.io.IOException;
import java.io.InputStream;

/**
 * An input stream that counts the bytes read from it.
 *
 * <p>This class replaces Paho 1.2.5's own (same package, same name, same behaviour; it is the
 * newest release and the project's master branch has the same class). The original overrides only
 * {@code read()}, so {@code InputStream.read(byte[], int, int)} copies one byte per call, and Paho
 * decodes every received packet through it twice ({@code MqttWireMessage.createWireMessage} and
 * the {@code MqttPublish} constructor, both over a {@code ByteArrayInputStream} whose {@code read()}
 * is synchronized): 4.9 ms per 200 KB PUBLISH, which capped a gateway's ingest at about 25 MB/s.
 * The one addition is {@link #read(byte[], int, int)}, a bulk read that counts what it read.
 *
 * <p>The gateway's jar carries this class instead of Paho's (the shaded jars exclude Paho's copy);
 * {@code org.qoraedge.gateway.mqtt.PahoReceivePath} checks at start which one the JVM loaded, and a
 * test fails if Paho's version changes, so that a new release is looked at before it replaces this.
 */
public class CountingInputStream extends InputStream {
    private final InputStream in;
    private int counter;

    /**
     * Constructs a new {@code CountingInputStream} wrapping the supplied input stream.
     *
     * @param in The {@link InputStream}
     */
    public CountingInputStream(InputStream in) {
        this.in = in;
        this.counter = 0;
    }

    @Override
    public int read() throws IOException {
        int i = in.read();
        if (i != -1) {
            counter++;
        }
        return i;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = in.read(b, off, len);
        if (n > 0) {
            counter += n;
        }
        return n;
    }

    /**
     * @return the number of bytes read since the last reset.
     */
    public int getCounter() {
        return counter;
    }

    /**
     * Resets the counter to zero.
     */
    public void resetCounter() {
        counter = 0;
    }
}
