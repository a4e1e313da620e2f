"""Credit risk score of a lessee, from what the credit investigation found.

Pure Python: plain numbers in, a score out. The score runs from 0 (no evidence of
creditworthiness) to 100, as the sum of five parts:

=====================  ======  ==========================================================
part                   points  how they are earned
=====================  ======  ==========================================================
identity               15      identity checked against official documents
business track record  15      3 points a full year in business, up to 5 years
debt service           30      monthly debt payments, the new instalment included, over
                               monthly income: <= 30 %: 30, <= 40 %: 20, <= 50 %: 10
net worth              20      assets less liabilities over the amount financed:
                               >= 100 %: 20, >= 50 %: 12, >= 0: 5
support                20      10 a guarantor (up to 2), and nothing more without
                               documents: with no document attached the part is halved
=====================  ======  ==========================================================

Levels: 70 and more is low risk (approve), 50 to 69 medium (approve with conditions),
below 50 high (reject).
"""

LOW_RISK_MIN = 70
MEDIUM_RISK_MIN = 50


def debt_service_points(monthly_income, monthly_debt, monthly_installment):
    if monthly_income <= 0:
        return 0
    ratio = (monthly_debt + monthly_installment) / monthly_income
    if ratio <= 0.30:
        return 30
    if ratio <= 0.40:
        return 20
    if ratio <= 0.50:
        return 10
    return 0


def net_worth_points(assets, liabilities, financed):
    if financed <= 0:
        return 20
    cover = (assets - liabilities) / financed
    if cover >= 1:
        return 20
    if cover >= 0.5:
        return 12
    if cover >= 0:
        return 5
    return 0


def credit_score(
    identity_verified,
    years_in_business,
    monthly_income,
    monthly_debt,
    monthly_installment,
    assets,
    liabilities,
    financed,
    guarantors,
    documents,
):
    """Return the risk score (0..100) from the findings of a credit investigation."""
    score = 15 if identity_verified else 0
    score += 3 * min(max(int(years_in_business), 0), 5)
    score += debt_service_points(monthly_income, monthly_debt, monthly_installment)
    score += net_worth_points(assets, liabilities, financed)
    support = 10 * min(max(int(guarantors), 0), 2)
    score += support if documents else support // 2
    return score


def risk_level(score):
    """'low', 'medium' or 'high' risk for a score."""
    if score >= LOW_RISK_MIN:
        return "low"
    if score >= MEDIUM_RISK_MIN:
        return "medium"
    return "high"


def suggested_recommendation(score):
    """'approve', 'approve_conditions' or 'reject' for a score."""
    return {"low": "approve", "medium": "approve_conditions", "high": "reject"}[risk_level(score)]
