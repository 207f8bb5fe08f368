words = []
for k in range(1, 16):
    text = ""
    if k % 3 == 0:
        text += "Fizz"
    if k % 5 == 0:
        text += "Buzz"
    words.append(text or str(k))
print(", ".join(words))
