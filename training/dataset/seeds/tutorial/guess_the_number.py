secret = 37
guesses = [50, 25, 37, 40]
attempts = 0
for guess in guesses:
    attempts += 1
    if guess < secret:
        print(guess, "is too low")
    elif guess > secret:
        print(guess, "is too high")
    else:
        print("got it in", attempts, "tries")
        break
else:
    print("out of guesses")
