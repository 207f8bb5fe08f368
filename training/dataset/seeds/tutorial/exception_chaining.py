class ConfigError(Exception):
    pass


def read_port(settings):
    try:
        return int(settings["port"])
    except (KeyError, ValueError) as cause:
        raise ConfigError("bad port setting") from cause


for settings in [{"port": "8000"}, {"port": "eighty"}, {}]:
    try:
        print(read_port(settings))
    except ConfigError as err:
        print(err, "caused by", type(err.__cause__).__name__)
