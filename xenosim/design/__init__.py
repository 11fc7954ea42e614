"""``xenosim design``: power and sample size from paired counterfactual virtual mice."""
