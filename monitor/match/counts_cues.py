"""Cue words of the counts extractor's phrasing rules (folded), from its lexicon files
(data/count_lexicon_<lang>.yaml, read by counts_lexicon)."""

from __future__ import annotations

from monitor.match.counts_lexicon import event_words, phrases, stems, words

# people and places
GENERIC_PEOPLE = words("generic_people")
SURVIVOR = words("survivor")
SURVIVORS = SURVIVOR | words("survivors")
RELATIVES = words("relatives")
PRISONS = words("prisons")
CUSTODY = words("custody")
HELD_STATE = words("held_state")
NOT_CUSTODY = words("not_custody")
NOT_CUSTODY_PLACE = words("not_custody_place")
HURT = words("hurt")
KILL = stems("kill")
# "12 detained activists"
PRENOMINAL = event_words("prenominal")
# verbs and their glue
LEAVES = words("leaves")
KEEP = words("keep")
HOLDS = words("holds")
DEMAND_GLUE = words("demand_glue")
CONDITION = words("condition")
REPORTING = words("reporting")
RELEASE_STATE = stems("release_state")
REMAIN_VERB = words("remain_verb")
STATE_WORDS = words("state_words")
AUX = words("aux")
PASSIVE = words("passive")
RETURNS = words("return_words")
DEPORTATION = stems("deportation")
AIRCRAFT = stems("aircraft")
PASSES = stems("passes")
COUNT_VERBS = stems("count_verbs")
RECORDS = stems("records")
ANNOUNCED = stems("announced")
PROMISE = stems("promise")
CLAIM = words("claim")
CLAIM_OF = words("claim_of")
PUTS = words("puts")
PROTEST = stems("protest")
# tallies, groups, rival figures
RUNNING = words("running")
MEMBER = words("member")
REMAINING = words("remaining")
REMAINING_NEXT = words("remaining_next")
MORE = words("more")
VERSUS = words("versus")
VERSUS_PAIR = phrases("versus_pair")
WAS = words("was")
EXCHANGE = tuple(sorted(phrases("exchange")))
AFTER_CLAIM = words("after_claim") | {","}
# function words
ONLY = words("only")
FORMER = words("former")
NEGATION = words("negation")
DURATION_LEAD = words("duration_lead")
PARTITIVE = words("partitive")
ARTICLES = words("articles")
GROUP_DET = words("group_det")
COPULA = words("copula")
