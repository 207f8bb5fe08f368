people = [
    {"name": "Hana", "age": 34, "city": "Kyoto"},
    {"name": "Omar", "age": 27, "city": "Cairo"},
    {"name": "Lena", "age": 34, "city": "Berlin"},
    {"name": "Ivan", "age": 19, "city": "Minsk"},
]
by_age_then_name = sorted(people, key=lambda p: (p["age"], p["name"]))
print([p["name"] for p in by_age_then_name])
oldest_first = sorted(people, key=lambda p: p["age"], reverse=True)
print([(p["name"], p["age"]) for p in oldest_first])
