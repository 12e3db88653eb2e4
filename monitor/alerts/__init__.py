"""Alerts: the outbox delivery through Apprise, message formatting, routes and the daily digest."""
