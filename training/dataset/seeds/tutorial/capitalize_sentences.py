paragraph = "it was late. the shop was closed! was it worth it? no."
result = []
capitalize_next = True
for ch in paragraph:
    if capitalize_next and ch.isalpha():
        result.append(ch.upper())
        capitalize_next = False
    else:
        result.append(ch)
    if ch in ".!?":
        capitalize_next = True
print("".join(result))
