sentence = "Programming puzzles are educational"
vowels = "aeiou"
tally = {v: 0 for v in vowels}
for letter in sentence.lower():
    if letter in tally:
        tally[letter] += 1
print(tally)
print("total vowels:", sum(tally.values()))
