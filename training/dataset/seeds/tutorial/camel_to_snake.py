def to_snake(name):
    chars = []
    for i, ch in enumerate(name):
        if ch.isupper():
            if i > 0:
                chars.append("_")
            chars.append(ch.lower())
        else:
            chars.append(ch)
    return "".join(chars)


for identifier in ["userName", "HTTPRequest", "totalCount2"]:
    print(identifier, to_snake(identifier))
