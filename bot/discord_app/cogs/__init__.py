"""Cogs: mentions and threads, the daily briefing, new-article announcements."""
