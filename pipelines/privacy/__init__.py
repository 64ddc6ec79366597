"""Privacy by construction: who may see what, enforced where the data is read.

- access.py: roles from the roster (manager_id) plus the access file (leaders, analysts, admins, k)
- pseudonyms.py: person_key, the keyed hash that fact marts carry instead of a person
- viewer.py: the Viewer every query and export takes, and how a sign-in becomes one
- suppression.py: groups under k people read "fewer than k", with complementary suppression
- audit.py: the append-only log of who viewed which person's data
"""
