/**
 * Node reputation: a per-node score in parts per million, updated from what each closed round
 * measured (selected, within range, far outside the round's Krum scores, misbehaving, absent),
 * with decay towards neutral, a ban threshold, operator unban, and a capped cubic influence. Pure
 * integer logic: no floating point, no I/O, no logging, no threads. See docs/REPUTATION.md.
 */
package org.qoraedge.gateway.reputation;
