"""Tests of the spam rules, the learning filter and the personal-data guard."""
