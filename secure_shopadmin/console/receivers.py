"""Noticing privilege grants on the user model, wherever they are made through the ORM (admin, shell,
command): flags, groups, permissions given to a user or to a group, reactivation. A queryset
``update()`` or raw SQL sends no signal: ``security_report`` compares the accounts holding admin
rights with its last snapshot to see those."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db.models.signals import m2m_changed, post_save, pre_save
from django.dispatch import receiver

from . import privileges

OLD_ATTR = "_ssa_privileges_before"


def _is_user_model(model):
    return model is get_user_model()


@receiver(pre_save, dispatch_uid="secure_shopadmin.console.privileges_before")
def remember_privileges(sender, instance, update_fields=None, raw=False, **kwargs):
    if raw or not _is_user_model(sender) or instance.pk is None or instance._state.adding:
        return
    if update_fields is not None and not set(update_fields) & set(privileges.WATCHED):
        return  # e.g. last_login at every login: no query
    fields = [name for name in privileges.WATCHED if hasattr(instance, name)]
    setattr(instance, OLD_ATTR, sender._default_manager.filter(pk=instance.pk).values(*fields).first())


@receiver(post_save, dispatch_uid="secure_shopadmin.console.privileges_granted")
def tell_flag_grants(sender, instance, created=False, raw=False, **kwargs):
    if raw or not _is_user_model(sender):
        return
    old = {} if created else getattr(instance, OLD_ATTR, None)
    if old is None:
        return
    granted = [flag for flag in privileges.FLAGS if getattr(instance, flag, False) and not old.get(flag, False)]
    if (not created and getattr(instance, "is_active", False) and old.get("is_active", True) is False
            and any(getattr(instance, flag, False) for flag in privileges.FLAGS)):
        granted.append(privileges.REACTIVATED)
    setattr(instance, OLD_ATTR, None)
    if granted:
        privileges.grant(instance, granted)


@receiver(m2m_changed, dispatch_uid="secure_shopadmin.console.group_granted")
def tell_group_grants(sender, instance, action, reverse=False, pk_set=None, **kwargs):
    if action != "post_add" or not pk_set or sender is not get_user_model().groups.through:
        return
    if not reverse:
        names = privileges.admin_groups(pk_set)
        if names:
            privileges.grant(instance, [f"group:{name}" for name in names])
        return
    names = privileges.admin_groups([instance.pk])  # group.user_set.add(…): instance is the group
    if names:
        for user in get_user_model()._default_manager.filter(pk__in=pk_set):
            privileges.grant(user, [f"group:{names[0]}"])


@receiver(m2m_changed, dispatch_uid="secure_shopadmin.console.permission_granted")
def tell_permission_grants(sender, instance, action, reverse=False, pk_set=None, **kwargs):
    """Permissions added to a user (``user.user_permissions.add``) or to a group (``group.permissions.add``),
    from either side of the relation."""
    if action != "post_add" or not pk_set:
        return
    user_model = get_user_model()
    if sender is getattr(getattr(user_model, "user_permissions", None), "through", None):
        if not reverse:
            privileges.grant(instance, [f"permission:{name}" for name in privileges.permission_names(pk_set)])
            return
        names = privileges.permission_names([instance.pk])  # permission.user_set.add(…)
        for user in user_model._default_manager.filter(pk__in=pk_set):
            privileges.grant(user, [f"permission:{item}" for item in names])
    elif sender is Group.permissions.through:
        if not reverse:
            privileges.grant_group_permissions(instance, pk_set)
            return
        for group in Group.objects.filter(pk__in=pk_set):  # permission.group_set.add(…)
            privileges.grant_group_permissions(group, [instance.pk])
