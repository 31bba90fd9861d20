from django.db import models


class PublicationStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"


class CodeClassification(models.TextChoices):
    SOC = "SOC", "SOC"
    ONET_SOC = "O*NET-SOC", "O*NET-SOC"


class AIOutlook(models.TextChoices):
    """Coarse bucket for filtering; the source's own wording stays in `ai_verdict`."""

    POSITIVE = "positive", "Positive"
    MIXED = "mixed", "Mixed"
    AT_RISK = "at_risk", "At risk"


class SkillKind(models.TextChoices):
    TECHNICAL = "technical", "Technical"
    SOFT = "soft", "Soft"
    EMERGING = "emerging", "Emerging"


class SkillGroup(models.TextChoices):
    """How a skill appears on one occupation's profile."""

    TECHNICAL = "technical", "Technical skills"
    SOFT = "soft", "Soft skills"
    TO_BUILD = "to_build", "Skills to build (next 5 years)"
    AI_AUGMENTED = "ai_augmented", "Augmented by AI"
    MENTIONED = "mentioned", "Named in the narrative"
    TECHNOLOGY = "technology", "Technology skills (O*NET)"


class QualificationKind(models.TextChoices):
    DEGREE = "degree", "Degree"
    CERTIFICATION = "certification", "Certification"
    LICENCE = "licence", "Licence"
    TRAINING = "training", "Training"
    BACKGROUND = "background", "Background / experience"


class RequirementLevel(models.TextChoices):
    REQUIRED = "required", "Required"
    PREFERRED = "preferred", "Preferred"
    OPTIONAL = "optional", "Optional"


class QualificationGroup(models.TextChoices):
    GENERAL = "general", "Qualifications"
    EDUCATION = "education", "Education"
    INTERNAL = "internal", "Internal qualification"
    CERTIFICATION = "certification", "Certifications and compliance"


class VisaKind(models.TextChoices):
    WORK_VISA = "work_visa", "Work visa"
    PERMANENT = "permanent", "Permanent residence route"


class AIImpactKind(models.TextChoices):
    REPLACING_PRODUCT = "replacing_product", "AI already replacing this job"
    TAKEOVER = "takeover", "Tasks AI will take over or replace"
    AUGMENT = "augment", "Tasks AI will augment"
    HUMAN_MOAT = "human_moat", "Human moat"


class FitKind(models.TextChoices):
    FITS = "fits", "Fits"
    NOT_FOR = "not_for", "Not for"


class ItemListKind(models.TextChoices):
    CAREER_OUTLOOK = "career_outlook", "Career outlook"
    CHALLENGES = "challenges", "Challenges"
    CAREER_PATH = "career_path", "Career path"
    FUTURE_TRENDS = "future_trends", "Future trends"


class RelationKind(models.TextChoices):
    SPECIALISATION = "specialisation", "Specialisation of"
    ADVANCEMENT = "advancement", "Advancement to"
    SIMILAR = "similar", "Similar to"


class RelatednessTier(models.TextChoices):
    """O*NET's Related Occupations tiers, most related first."""

    PRIMARY_SHORT = "primary_short", "Primary (short list)"
    PRIMARY_LONG = "primary_long", "Primary (long list)"
    SUPPLEMENTAL = "supplemental", "Supplemental"


class TaskType(models.TextChoices):
    CORE = "core", "Core"
    SUPPLEMENTAL = "supplemental", "Supplemental"


class ExposureLabel(models.TextChoices):
    """A task's exposure to LLMs (Eloundou et al., "GPTs are GPTs", 2023)."""

    E0 = "E0", "E0: no exposure"
    E1 = "E1", "E1: direct exposure (an LLM alone halves the time)"
    E2 = "E2", "E2: exposure with software built on an LLM"


class EducationLevel(models.IntegerChoices):
    """O*NET's Required Level of Education categories (scale RL of element 2.D.1)."""

    LESS_THAN_HIGH_SCHOOL = 1, "Less than a high school diploma"
    HIGH_SCHOOL = 2, "High school diploma"
    POST_SECONDARY_CERTIFICATE = 3, "Post-secondary certificate"
    SOME_COLLEGE = 4, "Some college courses"
    ASSOCIATES = 5, "Associate's degree"
    BACHELORS = 6, "Bachelor's degree"
    POST_BACCALAUREATE_CERTIFICATE = 7, "Post-baccalaureate certificate"
    MASTERS = 8, "Master's degree"
    POST_MASTERS_CERTIFICATE = 9, "Post-master's certificate"
    FIRST_PROFESSIONAL = 10, "First professional degree"
    DOCTORAL = 11, "Doctoral degree"
    POST_DOCTORAL = 12, "Post-doctoral training"


class JobZoneNumber(models.IntegerChoices):
    ONE = 1, "1: little or no preparation"
    TWO = 2, "2: some preparation"
    THREE = 3, "3: medium preparation"
    FOUR = 4, "4: considerable preparation"
    FIVE = 5, "5: extensive preparation"
