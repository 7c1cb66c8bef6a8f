package org.qoraedge.devicesim.attack;

/** One parameter of an attack: its name, its default (as written in a spec) and what it means. */
public record AttackParameter(String name, String defaultValue, String description) {
}
