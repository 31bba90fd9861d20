from imports.commandline import ImportCommand
from imports.services import import_onet


class Command(ImportCommand):
    help = "Import O*NET occupations, titles, tasks, technology skills, related occupations, "
    help += "Job Zones and education from a directory of O*NET database text files."
    path_help = "Directory holding 'Occupation Data.txt' and the other O*NET text files."
    default_release = "27.0"
    importer = import_onet
