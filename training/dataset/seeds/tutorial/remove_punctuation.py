punctuation = ".,;:!?'\"-"
raw = "Wait... what?! It's done -- finally; yes."
clean = ""
for ch in raw:
    if ch not in punctuation:
        clean += ch
print(clean)
print(" ".join(clean.split()))
