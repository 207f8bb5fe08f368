def to_camel(name):
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)


names = ["max_speed", "first_name_initial", "id"]
converted = [to_camel(n) for n in names]
print(converted)
