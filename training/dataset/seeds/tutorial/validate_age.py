def validate_age(age):
    if not isinstance(age, int):
        raise TypeError(f"age must be an int, not {type(age).__name__}")
    if age < 0 or age > 150:
        raise ValueError(f"age out of range: {age}")
    return age


for candidate in [30, -5, "forty", 200]:
    try:
        print("valid:", validate_age(candidate))
    except (TypeError, ValueError) as exc:
        print(type(exc).__name__, exc)
