def build_profile(username, **details):
    profile = {"user": username}
    for key, value in details.items():
        profile[key] = value
    return profile


p1 = build_profile("jdoe", age=31, city="Lyon")
p2 = build_profile("amy")
print(p1)
print(p2)
print(len(p1) - len(p2), "extra fields")
