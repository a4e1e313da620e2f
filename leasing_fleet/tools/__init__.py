from .dispatch_conditions import CONDITION_CODES, DispatchFacts, evaluate_conditions

__all__ = ["CONDITION_CODES", "DispatchFacts", "evaluate_conditions"]
