from django.shortcuts import get_object_or_404, render

from .models import Occupation


def occupation_detail(request, slug):
    occupation = get_object_or_404(Occupation.objects.visible_to(request.user), slug=slug)
    return render(request, "occupations/occupation_detail.html", {"occupation": occupation})
