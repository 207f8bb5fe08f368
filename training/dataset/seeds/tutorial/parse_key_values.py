config_text = "host=example.org; port=8080; debug=true; retries=3"
settings = {}
for part in config_text.split(";"):
    key, value = part.strip().split("=")
    if value.isdigit():
        value = int(value)
    elif value in ("true", "false"):
        value = value == "true"
    settings[key] = value
print(settings)
print(settings["port"] + 1)
