documents = {
    1: "the cat sat",
    2: "the dog ran",
    3: "a cat ran far",
}
index = {}
for doc_id, text in documents.items():
    for word in text.split():
        index.setdefault(word, []).append(doc_id)
print(index["cat"])
print(index["ran"])
print(sorted(word for word, ids in index.items() if len(ids) > 1))
