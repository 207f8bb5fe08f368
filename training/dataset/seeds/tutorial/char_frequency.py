phrase = "hello world"
frequency = {}
for ch in phrase:
    if ch == " ":
        continue
    frequency[ch] = frequency.get(ch, 0) + 1
most = max(frequency.values())
common = [ch for ch, n in frequency.items() if n == most]
print(frequency)
print("most common:", common, most)
