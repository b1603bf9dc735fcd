"""Telling the provider (issue 9): webhooks for credential issued, revoked and expiring.

- `signing`: the `Badgeline-Signature` header (HMAC-SHA256 over `timestamp.body`) and its check.
- `outbox`: webhook registration and the delivery rows (one per notice and webhook), queued in
  the same transaction as what they report (`notify_credential_issued`, `notify_credential_revoked`,
  `queue_expiring`).
- `transport`: the HTTP POST, through the verifier's address guard (no private or loopback
  address unless `BADGELINE_WEBHOOK_ALLOWED_HOSTS` names the host).
- `delivery`: one attempt of one delivery, the retry schedule (exponential, for 3 days) and the
  sweep that sends what is due (so deliveries survive restarts).
- `tasks`: the Celery tasks and their beat schedule.
"""
