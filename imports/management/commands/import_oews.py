from imports.commandline import ImportCommand
from imports.services import import_oews


class Command(ImportCommand):
    help = "Import BLS OEWS national wage and employment estimates (.xlsx or its CSV)."
    path_help = "national_M2023_dl.xlsx as BLS publishes it, or its first sheet as .csv."
    default_release = "May 2023"
    importer = import_oews
