"""The one error every node kind raises for a config file it cannot use (exit status 2)."""


class ConfigError(ValueError):
    pass
