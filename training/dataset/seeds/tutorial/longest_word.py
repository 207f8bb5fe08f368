text = "an elephant never forgets its favourite watering hole"
longest = ""
for word in text.split():
    if len(word) > len(longest):
        longest = word
print(longest, len(longest))
shortest = min(text.split(), key=len)
print(shortest)
