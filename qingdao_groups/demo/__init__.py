"""`python manage.py seed_demo`: the demo registry of Qingdao's education groups.

Loads the city bureau and its ten district bureaus, the other co-issuing units, about three
hundred schools, the three pilot groups of 2019 and a dozen later groups with their members,
partners, councils and charters, and one login per role (issue 2, "Demo data"; CLAUSES.md,
"History (for demo data)").

Idempotent: every object is looked up by its natural key (authority code, school code, group
code, username, partner name; memberships by group, school and joining date) and only what is
missing is created, so a second run changes nothing and writes no history. Everything is
generated deterministically from the tables below (no randomness). Groups, memberships and
partnerships go through groups.services, which validate them and record the acting user; the
demo's actor is the `admin` user, created first.

Then a group's life in progress (issue 3), so that every demo login has something to do: the
admission-evaluation checklist and the policy parameters; a founding awaiting another district's
consent and one approved by 李沧 awaiting the city's acknowledgement of its filing (L-1, L-2); an
admission awaiting 李沧's consent (L-3); an exit awaiting the core principal's opinion (L-5); an
overdue yellow card and one awaiting its rectification (L-6); two district filings, one late
(D-1, D-2); two enrollment plans, one set (L-7). Each step goes through its workflow service,
taken by the user who would take it, on the day it happened (StorySeeder); each scenario is
skipped when its marker object exists."""
