/**
 * Local differential privacy on a node, before its update leaves it (docs/PRIVACY.md): clip the
 * update's L2 norm, add Gaussian noise ({@link org.qoraedge.gateway.client.privacy.GaussianMechanism}),
 * and account for the privacy loss per round and over a run
 * ({@link org.qoraedge.gateway.client.privacy.ZcdpAccountant}). Floating point is fine here: this is
 * the node's side, not the gateway's deterministic aggregation path.
 */
package org.qoraedge.gateway.client.privacy;
