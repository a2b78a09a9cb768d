"""Answer composers, one module per question kind, all reading the Question record and the retrieved clauses.

extract: sentence selection inside a clause; gate: is a clause relevant enough to answer from;
fact / listing / compare / yesno / refuse: the composers; common: the shared Evidence record and line helpers.
"""
