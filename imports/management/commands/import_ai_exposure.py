from imports.commandline import ImportCommand
from imports.services import AI_EXPOSURE_RELEASE, import_ai_exposure


class Command(ImportCommand):
    help = "Import AI-exposure shares and task labels (Eloundou et al., GPTs are GPTs)."
    path_help = "Directory holding occ_level.csv and full_labelset.tsv."
    default_release = AI_EXPOSURE_RELEASE
    importer = import_ai_exposure
