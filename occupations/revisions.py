"""What django-reversion records: a profile's revision holds all of its rows, so a revert
restores the children too."""

import reversion

from . import models

OCCUPATION_CHILDREN = [
    "alternate_titles",
    "duties",
    "salary_bands",
    "education_steps",
    "ai_impacts",
    "fit_traits",
    "career_steps",
    "faqs",
    "narrative_sections",
    "key_fact_tables",
    "item_lists",
    "rating_scores",
    "occupation_skills",
    "occupation_qualifications",
    "occupation_visas",
    "occupation_growth_areas",
    "occupation_glossary_terms",
    "occupation_sources",
    "related_links",
]

reversion.register(models.Occupation, follow=OCCUPATION_CHILDREN)
reversion.register(models.KeyFactTable, follow=["facts"])
reversion.register(models.ItemList, follow=["items"])
for child in [
    models.AlternateTitle,
    models.Duty,
    models.SalaryBand,
    models.EducationStep,
    models.AIImpactItem,
    models.FitTrait,
    models.CareerStep,
    models.FAQ,
    models.NarrativeSection,
    models.KeyFact,
    models.ListItem,
    models.RatingScore,
    models.OccupationSkill,
    models.OccupationQualification,
    models.OccupationVisa,
    models.OccupationGrowthArea,
    models.OccupationGlossaryTerm,
    models.OccupationSource,
    models.RelatedOccupation,
]:
    reversion.register(child)
for vocabulary in [
    models.Sector,
    models.Skill,
    models.Qualification,
    models.Visa,
    models.GrowthArea,
    models.GlossaryTerm,
    models.RatingDimension,
    models.Source,
]:
    reversion.register(vocabulary)
