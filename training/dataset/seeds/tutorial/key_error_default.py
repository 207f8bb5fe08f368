capitals = {"France": "Paris", "Japan": "Tokyo", "Peru": "Lima"}
queries = ["Japan", "Chile", "Peru"]
for country in queries:
    try:
        print(country, "->", capitals[country])
    except KeyError as missing:
        print("no capital stored for", missing)
print(capitals.get("Chile", "?"))
