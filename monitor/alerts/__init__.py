"""Alerts: the outbox delivery through Apprise, message formatting, routes and the daily digest.

Public surface: ``alerts.delivery.queue_event_alerts`` / ``send_pending`` / ``send_test``,
``alerts.digest.queue_digest``, ``alerts.notifier.Notifier``.
"""
