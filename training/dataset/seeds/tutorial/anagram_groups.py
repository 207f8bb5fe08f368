words = ["listen", "silent", "enlist", "google", "gooegl", "cat", "act", "tac", "dog"]
groups = {}
for word in words:
    signature = "".join(sorted(word))
    groups.setdefault(signature, []).append(word)
for members in groups.values():
    if len(members) > 1:
        print(members)
