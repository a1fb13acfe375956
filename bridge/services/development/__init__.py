"""Development's side: the SPAR and AR, what development says, the fix shipping."""
