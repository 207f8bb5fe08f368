def is_palindrome(phrase):
    letters = [ch.lower() for ch in phrase if ch.isalnum()]
    return letters == letters[::-1]


for candidate in ["Racecar", "A man, a plan, a canal: Panama", "python", "No lemon, no melon"]:
    print(candidate, "->", is_palindrome(candidate))
