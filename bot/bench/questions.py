"""The questions the benchmark times: the kinds analysts ask (dates, quotes, comparisons, out-of-corpus)."""

QUESTIONS = (
    "What did Xi write to Kim in September 2023?",
    "How did Kim describe relations with China in his 2021 letter?",
    "What treaty anniversary did the leaders mark in July 2021?",
    "What did Xi say about strategic communication in October 2022?",
    "Which outlet reported the 2025 exchange of messages?",
    "When did Kim last congratulate Xi on his re-election?",
    "What did the Rodong Sinmun report about the letters?",
    "How has the wording about a new era changed over the years?",
    "What did Xinhua say about the party congress?",
    "Did Kim mention hostile forces in his message?",
    "What is the 75th anniversary mentioned in 2023?",
    "Who delivered the message to the Chinese embassy?",
    "What did Xi say about peace and stability on the Korean Peninsula?",
    "What sanctions did the UN Security Council impose in 2024?",
    "What is Kim Jong-un's favourite food?",
    "How did China respond to the missile launches?",
)

# The simulated bench times each kind of question on its own: their costs grow differently with the corpus.
SIMULATED = {
    "plain": (
        "How did China respond to the missile launches?",
        "What did Xi say about peace and stability on the Korean Peninsula?",
        "Who delivered the message to the Chinese embassy?",
        "Did Kim mention hostile forces in his message?",
        "What did the Rodong Sinmun report about the letters?",
        "How has the wording about a new era changed over the years?",
    ),
    "month": (
        "What did Xi write to Kim in September 2023?",
        "What treaty anniversary did the leaders mark in July 2021?",
        "What did Xi say about strategic communication in October 2022?",
        "What did North Korea say about China in March 2019?",
        "What did the leaders discuss in June 2017?",
        "How did Kim describe relations with China in January 2025?",
    ),
    "year": (
        "How did Kim describe relations with China in 2021?",
        "What is the 75th anniversary mentioned in 2023?",
        "Which outlet reported the exchange of messages in 2025?",
        "What sanctions did the UN Security Council impose in 2024?",
        "What did Xi say about the party congress in 2022?",
        "What did Pyongyang say about Beijing in 2016?",
    ),
}
SIMULATED["outlet"] = SIMULATED["plain"]  # the same questions, asked of the most common outlet's articles only
