defaults = {"theme": "light", "font": 12, "autosave": True}
user = {"font": 14, "language": "fr"}
merged = dict(defaults)
for key, value in user.items():
    merged[key] = value
print(merged)
changed = [k for k in user if k in defaults and defaults[k] != user[k]]
print("overridden:", changed)
print({**defaults, **user} == merged)
