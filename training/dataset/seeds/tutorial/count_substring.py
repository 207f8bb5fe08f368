def count_overlapping(text, pattern):
    count = 0
    start = 0
    while True:
        pos = text.find(pattern, start)
        if pos == -1:
            return count
        count += 1
        start = pos + 1


dna = "AGAGAGTAGAG"
print(dna.count("AGA"))
print(count_overlapping(dna, "AGA"))
