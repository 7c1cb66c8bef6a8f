package org.qoraedge.devicesim.attack;

/** Where an attack acts. */
public enum AttackLevel {
    /**
     * On the content of a well-formed update (or on the data it is trained from): aggregation
     * (Krum, Multi-Krum) must withstand it. Implemented here, run by the in-process simulator.
     */
    MODEL,
    /**
     * On the wire protocol (frames, signatures, node ids, rounds, rates): the gateway must reject it
     * and count the rejection by reason before aggregation sees anything. Carried out by the MQTT
     * fleet once the frame format exists; catalogued here only.
     */
    PROTOCOL
}
