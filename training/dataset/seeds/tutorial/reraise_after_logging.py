errors = []


def parse_pair(text):
    try:
        left, right = text.split(":")
        return int(left), int(right)
    except ValueError:
        errors.append(text)
        raise


results = []
for item in ["1:2", "3-4", "5:x", "7:8"]:
    try:
        results.append(parse_pair(item))
    except ValueError:
        pass
print(results)
print("bad inputs:", errors)
