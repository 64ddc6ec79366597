"""The quality gate: Great Expectations suites for every input table and every mart, plus the
row-level checks the staging SQL already made. Results land in the warehouse's validation_results."""
