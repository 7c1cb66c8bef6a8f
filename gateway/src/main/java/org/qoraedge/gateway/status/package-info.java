/**
 * The gateway's status indicator: LEDs for the round phase, attack suspected and error, an
 * optional buzzer and an optional button (docs/GPIO.md). {@link org.qoraedge.gateway.status.StatusIndicators}
 * picks the implementation: Pi4J with the gpiod providers on a Raspberry Pi with
 * {@code gpio.enabled = true}, a logging one everywhere else; never Pi4J's mock providers.
 */
package org.qoraedge.gateway.status;
