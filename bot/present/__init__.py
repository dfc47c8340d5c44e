"""The one presentation step: each result of an operation becomes a `Reply` once (`replies`).

The adapters only render a Reply: the terminal (`bot.cli.present`), Discord embeds
(`bot.discord_app.render`); `--json` prints the result's own contract instead.
"""
