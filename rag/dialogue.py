"""Follow-up questions: 那北京呢？ keeps the topic and changes the region; 那产假呢？ keeps the region."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .answerer import QUANTITY
from .normalize import normalize_query
from .regions import RegionDetector, RegionMatch
from .tokenize import tokenize

FILLER = re.compile(r"[那么呢吗嘛吧啊呀的又还再也呢有是怎样如何情况方面这边那边么?？!！,，。.\s]+")
ALL_REGIONS = re.compile(r"各地|各个地方|各省|各市|每个地方|哪些地方|哪个地方|哪里|分别|几个地方|全国|都有")


@dataclass
class Resolved:
    question: str  # normalised, standalone question
    topic: str  # question without place names
    match: RegionMatch
    inherited_region: bool = False
    inherited_topic: bool = False

    @property
    def topic_empty(self) -> bool:
        """Nothing but places and filler was asked (那北京呢？ with no earlier topic)."""
        return not tokenize(FILLER.sub(" ", self.topic))


def user_turns(history) -> list[str]:
    """Accepts [{'role','content'}], [(user, assistant)] or [str]; returns the user's questions, oldest first."""
    out = []
    for turn in history or ():
        if isinstance(turn, str):
            out.append(turn)
        elif isinstance(turn, dict) and turn.get("role") == "user" and isinstance(turn.get("content"), str):
            out.append(turn["content"])
        elif isinstance(turn, (list, tuple)) and turn and isinstance(turn[0], str):
            out.append(turn[0])
    return out


def resolve(question: str, history, detector: RegionDetector) -> Resolved:
    q = normalize_query(question)
    match = detector.detect(q)
    topic = detector.strip(q, match)
    res = Resolved(q, topic, match)
    prev = [normalize_query(t) for t in user_turns(history)][-6:]
    if not prev:
        return res
    if not tokenize(FILLER.sub(" ", topic)):
        # Only a place (and filler) was asked: keep the previous topic.
        for p in reversed(prev):
            pm = detector.detect(p)
            ptopic = detector.strip(p, pm)
            if tokenize(FILLER.sub(" ", ptopic)):
                res.topic, res.inherited_topic = ptopic, True
                res.question = (" ".join(match.uncovered) or " ".join(match.slugs)) + " " + ptopic
                break
    if not match.slugs and not match.uncovered and not ALL_REGIONS.search(q):
        for p in reversed(prev):
            pm = detector.detect(p)
            if pm.slugs or pm.uncovered:
                res.match = RegionMatch(slugs=pm.slugs, uncovered=pm.uncovered, spans=[])
                res.inherited_region = True
                # 那产假呢？ asks the previous question's kind of thing (几天/多少) about a new topic.
                asked = QUANTITY.findall(p) if not QUANTITY.search(q) else []
                res.question = res.topic = topic + " " + " ".join(asked)
                break
    return res
